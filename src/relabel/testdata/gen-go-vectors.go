// Generates go-vectors.json, the reference results relabel tests compare against, with Go's own
// regexp, crypto/md5 and strings packages (the ones Prometheus uses):
//   go run gen-go-vectors.go > go-vectors.json && npx biome format --write go-vectors.json
// Hashmod results were also cross-checked with Python's hashlib (int.from_bytes(md5[8:], "big") % m).

package main

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

func main() {
	out := map[string]any{}

	hv := [][2]any{}
	values := []string{"", "a", "baz", "foo\nbar", "10.0.0.1:9100", "héllo wörld", "😀", "node-exporter-7;10.1.2.3:9100", strings.Repeat("x", 1000)}
	mods := []uint64{1, 2, 3, 10, 1000, 1<<32 + 15, 1 << 63, 1<<64 - 1}
	for _, v := range values {
		for _, m := range mods {
			sum := md5.Sum([]byte(v))
			r := binary.BigEndian.Uint64(sum[8:]) % m
			hv = append(hv, [2]any{[]any{v, strconv.FormatUint(m, 10)}, strconv.FormatUint(r, 10)})
		}
	}
	out["hashmod"] = hv

	type ex struct {
		P, S, T string
		R       *string
	}
	pats := []struct{ p, s string }{
		{"(.*)", "abc"},
		{"(a)(b)?(c)", "ac"},
		{"(?P<name>fo+)(?P<1x>bar)?", "foobar"},
		{"(?P<name>fo+)(?P<1x>bar)?", "foo"},
		{"f(.*)", "foo"},
		{"(é+)(.)", "ééx"},
		{"no", "yes"},
		{"(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)", "abcdefghijk"},
		{"(?P<_x>a)(?P<x9>b)", "ab"},
	}
	tmpls := []string{"$1", "${1}", "$1x", "${1}x", "$$", "$$1", "$", "x$", "$ ", "${", "${1", "${}", "$name", "${name}", "$name_x", "$01", "${01}", "$10", "$11", "${1}0", "$0", "$2", "$3", "$99999999999", "a$1b$2c", "$é", "${é}", "${1x}", "$1x", "$_x", "$-1", "${name}.$1", "$$$1", "plain"}
	exs := []ex{}
	for _, p := range pats {
		re := regexp.MustCompile("^(?s:" + p.p + ")$")
		m := re.FindStringSubmatchIndex(p.s)
		for _, t := range tmpls {
			e := ex{P: p.p, S: p.s, T: t}
			if m != nil {
				r := string(re.ExpandString(nil, t, p.s, m))
				e.R = &r
			}
			exs = append(exs, e)
		}
	}
	out["expand"] = exs

	mpats := []string{".*", "(.*)", ".+", "a|b", "(?:a|b)", "(a|b)", "foo.*", "foo.+", "foo(.*)", "foo(.+)", "", "a\\.b", "a.b", "(?i)abc", "[a-z]+", "\\d+", "x*", "é+", "a|", "\\|", "foo\\.*", "^a$", "a$|b", "go_.*|process_.*", "up|scrape_.+",
		"(?i)abc", "(?i)k", "(?i)straße", "\\pL+", "[[:alpha:]]+", "a\\b", "(?U)a+", "a{2,}", "\\Qa.b\\E", "[^a]", "(?m)^a$|b", "\\Aa\\z", "(?-s:.)", "[é-ë]", "\\x{1F600}", "\\d\\D", "\\s", "\\w+"}
	inputs := []string{"", "a", "b", "ab", "foo", "foobar", "foo\nbar", "a.b", "aXb", "ABC", "abc", "123", "é", "éé", "\n", "|", "foo.", "foo..", "x", "go_gc", "process_cpu", "scrape_x", "scrape_", "up", "K", "STRASSE", "STRAßE", "Straße", "aa", "é😀", "😀", "ê", "1a", " ", "\t", "a\nb", "_x9"}
	ms := []any{}
	for _, p := range mpats {
		re := regexp.MustCompile("^(?s:" + p + ")$")
		row := []bool{}
		for _, s := range inputs {
			row = append(row, re.MatchString(s))
		}
		ms = append(ms, []any{p, row})
	}
	out["matchInputs"] = inputs
	out["match"] = ms

	// labelmap uses MatchString then ReplaceAllString; they differ from one whole-value expansion
	// only for patterns that escape the anchoring group.
	rpats := []string{"a)|(b", "(a)|(b)", "x)|(y*", "(.)(.)", "__meta_(.+)", "a)|.(b"}
	rinputs := []string{"a", "b", "ab", "abab", "xyy", "yx", "é😀b", "__meta_x", ""}
	rts := []string{"R", "[$1]", "$2$1", "${1}_x"}
	rv := []any{}
	for _, p := range rpats {
		re := regexp.MustCompile("^(?s:" + p + ")$")
		for _, in := range rinputs {
			for _, t := range rts {
				var r any
				if re.MatchString(in) {
					r = re.ReplaceAllString(in, t)
				}
				rv = append(rv, []any{p, in, t, r})
			}
		}
	}
	out["replaceAll"] = rv

	cs := []string{"Hello World", "ÀÉÎÕÜ ß ŉ", "ΣΑΣ Σ", "İstanbul", "ᾳ ᾀ ﬀ", "straße", "ǅ", "K"}
	cv := [][3]string{}
	for _, s := range cs {
		cv = append(cv, [3]string{s, strings.ToLower(s), strings.ToUpper(s)})
	}
	out["case"] = cv
	json.NewEncoder(os.Stdout).Encode(out)
	fmt.Fprintln(os.Stderr, "ok")
}
