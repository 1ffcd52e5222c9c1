package main

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"

	lv2 "gocheck/gen/loggregator/v2"
	"google.golang.org/protobuf/proto"
)

type in struct {
	Name       string      `json:"name"`
	Ts         string      `json:"ts"`
	SourceID   string      `json:"sourceId"`
	InstanceID string      `json:"instanceId"`
	Tags       [][2]string `json:"tags"`
	Counter    *struct {
		Name  string `json:"name"`
		Total string `json:"total"`
	} `json:"counter"`
	Gauge *struct {
		Name string `json:"name"`
		Unit string `json:"unit"`
		Bits string `json:"bits"`
	} `json:"gauge"`
}

func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	out := []map[string]string{}
	for sc.Scan() {
		var c in
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			panic(err)
		}
		ts, _ := strconv.ParseInt(c.Ts, 10, 64)
		e := &lv2.Envelope{Timestamp: ts, SourceId: c.SourceID, InstanceId: c.InstanceID, Tags: map[string]string{}}
		for _, t := range c.Tags {
			e.Tags[t[0]] = t[1]
		}
		if c.Counter != nil {
			total, _ := strconv.ParseUint(c.Counter.Total, 10, 64)
			e.Message = &lv2.Envelope_Counter{Counter: &lv2.Counter{Name: c.Counter.Name, Total: total}}
		} else {
			bits, _ := strconv.ParseUint(c.Gauge.Bits, 10, 64)
			e.Message = &lv2.Envelope_Gauge{Gauge: &lv2.Gauge{Metrics: map[string]*lv2.GaugeValue{c.Gauge.Name: {Unit: c.Gauge.Unit, Value: math.Float64frombits(bits)}}}}
		}
		// Deterministic only sorts map keys; field order is the generated code's.
		b, err := proto.MarshalOptions{Deterministic: true}.Marshal(e)
		if err != nil {
			panic(err)
		}
		out = append(out, map[string]string{"name": c.Name, "hex": hex.EncodeToString(b)})
	}
	j, _ := json.MarshalIndent(out, "", "  ")
	fmt.Println(string(j))
}
