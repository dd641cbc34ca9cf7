package engine

import (
	"testing"
	"unicode/utf16"
)

// Decoding follows Python's codecs and error handlers.
func TestDecode(t *testing.T) {
	cases := []struct {
		in       []byte
		enc, err string
		want     string
		fail     string
	}{
		{[]byte{0xc4, 0xe3, 0xba, 0xc3}, "gbk", "strict", "你好", ""},
		{[]byte{0xc4, 0xe3, 0xba, 0xc3}, "GB18030", "strict", "你好", ""},
		{[]byte("a\xffb"), "utf-8", "replace", "a\ufffdb", ""},
		{[]byte("a\xffb"), "utf8", "ignore", "ab", ""},
		{[]byte("a\xffb"), "utf-8", "backslashreplace", `a\xffb`, ""},
		{[]byte("a\xffb"), "utf-8", "strict", "", "'utf-8' codec can't decode byte 0xff in position 1: invalid start byte"},
		{[]byte("\xe4\xbd"), "utf-8", "replace", "\ufffd", ""},
		{[]byte("\xe4\xbd"), "utf-8", "strict", "", "'utf-8' codec can't decode byte 0xe4 in position 0: unexpected end of data"},
		{[]byte("caf\xe9"), "latin-1", "strict", "café", ""},
		{[]byte("caf\xe9"), "ascii", "strict", "", "'ascii' codec can't decode byte 0xe9 in position 3: ordinal not in range(128)"},
		{[]byte{0xa7, 0x41}, "big5", "strict", "你", ""},
		{[]byte{0x82, 0xa0}, "shift_jis", "strict", "あ", ""},
		{[]byte{0xff, 0xfe, 0x41, 0x00}, "utf-16", "strict", "A", ""},
		{[]byte("x"), "klingon", "strict", "", "unknown encoding: klingon"},
	}
	for _, c := range cases {
		got, err := Decode(c.in, c.enc, c.err)
		if c.fail != "" {
			if err == nil || !contains(err.Error(), c.fail) {
				t.Errorf("Decode(%q, %s, %s) error %v, want %q", c.in, c.enc, c.err, err, c.fail)
			}
			continue
		}
		if err != nil || got.String() != c.want {
			t.Errorf("Decode(%q, %s, %s) = %q, %v; want %q", c.in, c.enc, c.err, got.String(), err, c.want)
		}
	}
	// surrogateescape round-trips undecodable bytes
	d, err := Decode([]byte("a\xff"), "utf-8", "surrogateescape")
	if err != nil || len(d.Units) != 2 || d.Units[1] != 0xdcff {
		t.Fatalf("surrogateescape: %v %v", d, err)
	}
	back, err := Encode(d.Units, "utf-8", "surrogateescape")
	if err != nil || string(back) != "a\xff" {
		t.Fatalf("surrogateescape encode: %q %v", back, err)
	}
}

func TestEncode(t *testing.T) {
	u := func(s string) []uint16 { return utf16.Encode([]rune(s)) }
	if b, err := Encode(u("你好"), "gbk", "strict"); err != nil || string(b) != "\xc4\xe3\xba\xc3" {
		t.Fatalf("gbk: %q %v", b, err)
	}
	if b, err := Encode(u("a€"), "ascii", "replace"); err != nil || string(b) != "a?" {
		t.Fatalf("replace: %q %v", b, err)
	}
	if b, err := Encode(u("a€"), "latin-1", "xmlcharrefreplace"); err != nil || string(b) != "a&#8364;" {
		t.Fatalf("xmlcharrefreplace: %q %v", b, err)
	}
	if _, err := Encode(u("a€"), "ascii", "strict"); err == nil || !contains(err.Error(), `can't encode character '\u20ac' in position 1`) {
		t.Fatalf("strict: %v", err)
	}
	if b, err := Encode(u("A"), "utf-16", "strict"); err != nil || string(b) != "\xff\xfeA\x00" {
		t.Fatalf("utf-16: %q %v", b, err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
