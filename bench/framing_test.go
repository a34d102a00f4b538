package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
)

// frame splits a stream of responses into lines and literals without
// parsing anything else: the least any decoder must do. It returns the
// number of messages (lines not continued by a literal).
func frame(data []byte) (int, error) {
	r := bufio.NewReader(bytes.NewReader(data))
	n := 0
	for {
		line, err := r.ReadSlice('\n')
		if err == io.EOF && len(line) == 0 {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		size, ok := trailingLiteral(line)
		if !ok {
			n++
			continue
		}
		if _, err := r.Discard(size); err != nil {
			return n, fmt.Errorf("literal: %w", err)
		}
	}
}

// trailingLiteral reports whether line ends with "{n}\r\n" and returns n.
func trailingLiteral(line []byte) (int, bool) {
	line = bytes.TrimSuffix(line, []byte("\r\n"))
	if len(line) < 3 || line[len(line)-1] != '}' {
		return 0, false
	}
	i := bytes.LastIndexByte(line, '{')
	if i < 0 {
		return 0, false
	}
	size, err := strconv.Atoi(string(bytes.TrimSuffix(line[i+1:len(line)-1], []byte("+"))))
	if err != nil || size < 0 {
		return 0, false
	}
	return size, true
}
