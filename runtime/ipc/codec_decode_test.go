package ipc

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"
)

func mustHex(t testing.TB, s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeMalformed(t *testing.T) {
	env := newTestEnv(t)
	cases := []struct {
		name, hex, want string
	}{
		{"empty", "", "not well-formed"},
		{"truncated head", "19 01", "not well-formed"},
		{"truncated string", "63 61 62", "not well-formed"},
		{"truncated array", "83 01 02", "not well-formed"},
		{"trailing bytes", "01 02", "not well-formed"},
		{"indefinite array", "9f 01 ff", "not well-formed"},
		{"reserved ai", "1c", "not well-formed"},
		{"bad utf-8", "62 c3 28", "not valid UTF-8"},
		{"int map key", "a1 01 02", "object keys must be text strings"},
		{"unknown tag", "d9 1234 01", "unsupported tag 4660"},
		{"ref to nothing", "d8 1d 00", "shared reference to an unknown value"},
		{"ref to self while building", "d8 1c c1 d8 1d 00", "tag 1 needs a number"},
		{"ref to unbuilt error name", "d8 1c d8 1b 85 65 4572726f72 d8 1d 00 60 f6 a0", "shared reference to a value that is still being built"},
		{"bignum not bytes", "c2 01", "bignum tag needs a byte string"},
		{"typed array odd length", "d8 46 43 010203", "not a multiple of its element size"},
		{"float16 typed array", "d8 54 42 0000", "unsupported typed-array tag 84"},
		{"generic unknown", "d8 1b 81 63 466f6f", `unknown type name "Foo"`},
		{"generic empty", "d8 1b 80", "tag 27 needs an array"},
		{"generic arity", "d8 1b 82 66 526567457870 61 61", `wrong number of arguments for "RegExp"`},
		{"bad regexp", "d8 1b 83 66 526567457870 61 28 60", "rebuilding a value failed"},
		{"set not array", "d9 0102 a0", "tag 258 needs an array"},
		{"map not map", "d9 0103 80", "tag 259 needs a map"},
		{"simple value", "f0", "unsupported simple value"},
		{"odd utf16", "d8 1b 82 65 5554463136 41 00", "UTF16 string of odd length"},
		{"sparse length too big", "d8 1b 83 65 4172726179 1b 0000000100000000 a0", "array length must be an integer below 2^32"},
		{"box of object", "d8 1b 82 66 4f626a656374 a0", "Object() box needs"},
		{"huge claimed array", "9a 7fffffff 01", "not well-formed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := env.codec.Decode(mustHex(t, c.hex))
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("got %v, want a *DecodeError", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %q, want it to mention %q", err, c.want)
			}
		})
	}
}

func TestDecodeLimits(t *testing.T) {
	rt := goja.New()
	c, err := NewCodecLimits(rt, Hooks{}, Limits{MaxDepth: 10, MaxBytes: 1000, MaxItems: 50})
	if err != nil {
		t.Fatal(err)
	}
	deep := append(bytes.Repeat([]byte{0x81}, 11), 0x01)
	if _, err := c.Decode(deep); err == nil || !strings.Contains(err.Error(), "levels deep") {
		t.Fatalf("depth 11: %v", err)
	}
	if _, err := c.Decode(append(bytes.Repeat([]byte{0x81}, 10), 0x01)); err != nil {
		t.Fatalf("depth 10 should decode: %v", err)
	}
	// Tags wrapping each level do not count against the JS depth, but the
	// well-formedness check still bounds them.
	tagged := append(bytes.Repeat([]byte{0xd9, 0xd9, 0xf7}, 100000), 0x01)
	if _, err := c.Decode(tagged); err == nil {
		t.Fatal("100000 nested tags accepted")
	}
	many := append([]byte{0x98, 60}, bytes.Repeat([]byte{0x01}, 60)...)
	if _, err := c.Decode(many); err == nil || !strings.Contains(err.Error(), "items") {
		t.Fatalf("60 items: %v", err)
	}
	if _, err := c.Decode(make([]byte, 1001)); err == nil || !strings.Contains(err.Error(), "exceeds the limit") {
		t.Fatalf("1001 bytes: %v", err)
	}
	// Encode refuses what Decode would refuse for depth.
	v, _ := rt.RunString(`[[[[[[[[[[[1]]]]]]]]]]]`)
	if _, err := c.Encode(v); err == nil {
		t.Fatal("encoded 11 levels with MaxDepth 10")
	}
}

// A sharedref bomb: many references to one big value must cost references,
// not copies.
func TestDecodeSharedRefsAreNotCopies(t *testing.T) {
	env := newTestEnv(t)
	msg := []byte{0x99, 0x27, 0x10} // array of 10000
	msg = append(msg, 0xd8, 0x1c, 0x5a, 0x00, 0x10, 0x00, 0x00)
	msg = append(msg, make([]byte, 1<<20)...)
	for i := 1; i < 10000; i++ {
		msg = append(msg, 0xd8, 0x1d, 0x00)
	}
	start := time.Now()
	v, err := env.codec.Decode(msg)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("decoding references took too long")
	}
	env.rt.Set("v", v)
	env.run("refs", `same(v[0], v[9999], 'all the same Bytes'); same(v[0].length, 1 << 20, 'size')`)
}
