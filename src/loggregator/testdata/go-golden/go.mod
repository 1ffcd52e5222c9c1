module gocheck

go 1.19

require google.golang.org/protobuf v1.33.0

// Offline: replace google.golang.org/protobuf => /path/to/protobuf-go checkout at v1.33.0
