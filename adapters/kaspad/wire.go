package main

// The adapter protocol's framing and encodings (spec/adapter.md), independent of kaspad.

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"unicode/utf8"
)

const (
	maxLineBytes = 1 << 20
	maxID        = (1 << 53) - 1
	maxHexDigits = 128
)

var (
	hashPattern   = regexp.MustCompile(`^[0-9a-f]{64}$`)
	bigIntPattern = regexp.MustCompile(`^0x(0|[1-9a-f][0-9a-f]*)$`)
	countPattern  = regexp.MustCompile(`^(0|[1-9][0-9]*)$`)
)

// failure is an error reply: a canonical code and a message for humans.
type failure struct {
	code    string
	message string
}

func (f *failure) Error() string { return f.code + ": " + f.message }

func fail(code string, format string, args ...any) *failure {
	return &failure{code: code, message: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) *failure {
	return fail("BAD_REQUEST", format, args...)
}

type object = map[string]any

// parseRequest returns id, method and params, or the error reply's id (nil when unreadable).
func parseRequest(line []byte) (uint64, string, object, *uint64, *failure) {
	if len(line) > maxLineBytes {
		return 0, "", nil, nil, badRequest("line longer than 1 MiB")
	}
	if !utf8.Valid(line) {
		return 0, "", nil, nil, badRequest("not UTF-8")
	}
	reader := bytes.NewReader(line)
	decoder := json.NewDecoder(reader)
	decoder.UseNumber()
	var message any
	if err := decoder.Decode(&message); err != nil {
		return 0, "", nil, nil, badRequest("not JSON: %v", err)
	}
	rest, _ := io.ReadAll(io.MultiReader(decoder.Buffered(), reader))
	if len(bytes.Trim(rest, " \t\r\n")) != 0 {
		return 0, "", nil, nil, badRequest("not JSON: trailing data")
	}
	request, ok := message.(object)
	if !ok {
		return 0, "", nil, nil, badRequest("a request is a JSON object")
	}
	id, f := count(request["id"], "id")
	if f != nil {
		return 0, "", nil, nil, f
	}
	if f := checkKeys(request, "request", []string{"id", "method", "params"}, nil); f != nil {
		return 0, "", nil, &id, f
	}
	method, ok := request["method"].(string)
	if !ok {
		return 0, "", nil, &id, badRequest("method must be a string")
	}
	params, ok := request["params"].(object)
	if !ok {
		return 0, "", nil, &id, badRequest("params must be an object")
	}
	return id, method, params, nil, nil
}

func contains(list []string, item string) bool {
	for _, x := range list {
		if x == item {
			return true
		}
	}
	return false
}

// checkKeys is BAD_REQUEST when a required key is missing or an unknown key is present.
func checkKeys(o object, where string, required, optional []string) *failure {
	for _, key := range required {
		if _, ok := o[key]; !ok {
			return badRequest("%s lacks %s", where, key)
		}
	}
	for key := range o {
		if !contains(required, key) && !contains(optional, key) {
			return badRequest("%s has unknown field %s", where, key)
		}
	}
	return nil
}

// count reads a JSON integer 0..2^53-1.
func count(value any, where string) (uint64, *failure) {
	number, ok := value.(json.Number)
	if ok && countPattern.MatchString(string(number)) {
		if n, err := strconv.ParseUint(string(number), 10, 64); err == nil && n <= maxID {
			return n, nil
		}
	}
	return 0, badRequest("%s must be an integer 0..2^53-1", where)
}

// hash32 reads a hash: exactly 64 lowercase hex characters, byte 0 first.
func hash32(value any, where string) ([32]byte, *failure) {
	var out [32]byte
	text, ok := value.(string)
	if !ok || !hashPattern.MatchString(text) {
		return out, badRequest("%s must be 64 lowercase hex characters", where)
	}
	decoded, _ := hex.DecodeString(text)
	copy(out[:], decoded)
	return out, nil
}

func hashList(value any, where string) ([][32]byte, *failure) {
	items, ok := value.([]any)
	if !ok {
		return nil, badRequest("%s must be an array of hashes", where)
	}
	out := make([][32]byte, 0, len(items))
	for i, item := range items {
		h, f := hash32(item, fmt.Sprintf("%s[%d]", where, i))
		if f != nil {
			return nil, f
		}
		out = append(out, h)
	}
	return out, nil
}

// bigInt reads a canonical "0x…" integer and returns its canonical text.
func bigInt(value any, where string) (string, *failure) {
	text, ok := value.(string)
	if !ok || len(text) > 2+maxHexDigits || !bigIntPattern.MatchString(text) {
		return "", badRequest("%s must be a string 0x… in lowercase hex without leading zeros", where)
	}
	return text, nil
}

func asObject(value any, where string) (object, *failure) {
	o, ok := value.(object)
	if !ok {
		return nil, badRequest("%s must be an object", where)
	}
	return o, nil
}

// targetForm reads exactly one of difficulty / bits; isBits tells which.
func targetForm(params object, where string) (isBits bool, bits uint64, f *failure) {
	d, hasDifficulty := params["difficulty"]
	b, hasBits := params["bits"]
	switch {
	case hasDifficulty && !hasBits:
		_, f = bigInt(d, where+".difficulty")
		return false, 0, f
	case hasBits && !hasDifficulty:
		bits, f = count(b, where+".bits")
		return true, bits, f
	}
	return false, 0, badRequest("%s needs exactly one of difficulty, bits", where)
}

func wireHash(b []byte) string { return hex.EncodeToString(b) }
