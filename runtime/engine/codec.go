package engine

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/forkjs/forkjs/runtime/pyerr"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
	"golang.org/x/text/transform"
)

// Text codecs for Bytes.decode and string encoding, with Python's codec
// names and error handlers. UTF-8 and ASCII are decoded here (Python's
// "maximal subpart" replacement rule); everything else uses
// golang.org/x/text's codecs.

// codec is a resolved encoding: its Python name and, for the x/text
// codecs, the encoding.
type codec struct {
	name string
	enc  encoding.Encoding // nil for utf-8 and ascii
}

var codecAliases = map[string]string{
	"utf8": "utf-8", "utf-8": "utf-8", "u8": "utf-8", "utf": "utf-8", "cp65001": "utf-8",
	"ascii": "ascii", "us-ascii": "ascii", "646": "ascii",
	"latin-1": "latin-1", "latin1": "latin-1", "iso-8859-1": "latin-1", "iso8859-1": "latin-1", "l1": "latin-1", "8859": "latin-1", "cp819": "latin-1",
	"utf-8-sig": "utf-8-sig", "utf8-sig": "utf-8-sig",
	"utf-32": "utf-32", "utf32": "utf-32", "utf-32-le": "utf-32-le", "utf-32le": "utf-32-le", "utf-32-be": "utf-32-be", "utf-32be": "utf-32-be",
	"mac-roman": "mac_roman", "macroman": "mac_roman", "mac_roman": "mac_roman", "macintosh": "mac_roman",
	"utf-16": "utf-16", "utf16": "utf-16", "utf-16-le": "utf-16-le", "utf-16le": "utf-16-le", "utf-16-be": "utf-16-be", "utf-16be": "utf-16-be",
	"gbk": "gbk", "cp936": "gbk", "ms936": "gbk", "936": "gbk",
	"gb2312": "gbk", "gb18030": "gb18030", "gb-18030": "gb18030",
	"big5": "big5", "big5-tw": "big5", "cp950": "big5",
	"shift-jis": "shift_jis", "shift_jis": "shift_jis", "sjis": "shift_jis", "s-jis": "shift_jis", "cp932": "shift_jis", "ms932": "shift_jis",
	"euc-jp": "euc_jp", "eucjp": "euc_jp", "euc_jp": "euc_jp",
	"iso-2022-jp": "iso2022_jp", "iso2022-jp": "iso2022_jp", "iso2022_jp": "iso2022_jp",
	"euc-kr": "euc_kr", "euckr": "euc_kr", "euc_kr": "euc_kr", "cp949": "euc_kr",
	"cp1252": "cp1252", "windows-1252": "cp1252", "cp1251": "cp1251", "windows-1251": "cp1251",
	"koi8-r": "koi8_r", "koi8_r": "koi8_r", "cp437": "cp437", "iso-8859-15": "iso8859_15", "iso8859-15": "iso8859_15",
}

var codecTable = map[string]encoding.Encoding{
	"latin-1":    charmap.ISO8859_1,
	"utf-8-sig":  unicode.UTF8BOM,
	"utf-32":     utf32.UTF32(utf32.LittleEndian, utf32.UseBOM),
	"utf-32-le":  utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM),
	"utf-32-be":  utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM),
	"mac_roman":  charmap.Macintosh,
	"utf-16":     unicode.UTF16(unicode.LittleEndian, unicode.UseBOM),
	"utf-16-le":  unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM),
	"utf-16-be":  unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM),
	"gbk":        simplifiedchinese.GBK,
	"gb18030":    simplifiedchinese.GB18030,
	"big5":       traditionalchinese.Big5,
	"shift_jis":  japanese.ShiftJIS,
	"euc_jp":     japanese.EUCJP,
	"iso2022_jp": japanese.ISO2022JP,
	"euc_kr":     korean.EUCKR,
	"cp1252":     charmap.Windows1252,
	"cp1251":     charmap.Windows1251,
	"koi8_r":     charmap.KOI8R,
	"cp437":      charmap.CodePage437,
	"iso8859_15": charmap.ISO8859_15,
}

// lookupCodec resolves a Python encoding name; LookupError if unknown.
func lookupCodec(name string) (codec, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.ReplaceAll(n, "_", "-")
	if a, ok := codecAliases[n]; ok {
		return codec{name: a, enc: codecTable[a]}, nil
	}
	return codec{}, pyerr.New("LookupError", "unknown encoding: %s", name)
}

func checkErrors(errors string) error {
	switch errors {
	case "strict", "replace", "ignore", "backslashreplace", "surrogateescape", "xmlcharrefreplace":
		return nil
	}
	return pyerr.New("LookupError", "unknown error handler name '%s'", errors)
}

// Decoded is a decoded string: Go text, or UTF-16 units when it holds
// lone surrogates (surrogateescape).
type Decoded struct {
	S     string
	Units []uint16
}

// String returns the text; lone surrogates become U+FFFD.
func (d Decoded) String() string {
	if d.Units != nil {
		return string(utf16.Decode(d.Units))
	}
	return d.S
}

func decodeErr(c codec, b byte, pos int, reason string) error {
	return pyerr.New("UnicodeDecodeError", "'%s' codec can't decode byte 0x%02x in position %d: %s", c.name, b, pos, reason)
}

// Decode decodes b with a Python encoding name and error handler, as
// bytes.decode(encoding, errors). Errors: LookupError for an unknown
// encoding or handler, UnicodeDecodeError under 'strict'.
func Decode(b []byte, encodingName, errors string) (Decoded, error) {
	c, err := lookupCodec(encodingName)
	if err != nil {
		return Decoded{}, err
	}
	if err := checkErrors(errors); err != nil {
		return Decoded{}, err
	}
	switch c.name {
	case "utf-8":
		if utf8.Valid(b) {
			return Decoded{S: string(b)}, nil
		}
		return decodeSlow(c, b, errors, utf8Step)
	case "ascii":
		ok := true
		for _, x := range b {
			if x >= 0x80 {
				ok = false
				break
			}
		}
		if ok {
			return Decoded{S: string(b)}, nil
		}
		return decodeSlow(c, b, errors, asciiStep)
	}
	// Fast path: decode everything; only if a replacement character shows
	// up do we go byte by byte to apply the error handler exactly.
	out, err := c.enc.NewDecoder().Bytes(b)
	if err == nil && !strings.ContainsRune(string(out), utf8.RuneError) {
		return Decoded{S: string(out)}, nil
	}
	return decodeSlow(c, b, errors, xtextStep(c))
}

// step decodes one character at the start of b: the rune, the bytes it
// took, and for an invalid sequence ok=false, the bytes to skip and why.
type step func(b []byte) (r rune, n int, ok bool, reason string)

func asciiStep(b []byte) (rune, int, bool, string) {
	if b[0] < 0x80 {
		return rune(b[0]), 1, true, ""
	}
	return 0, 1, false, "ordinal not in range(128)"
}

// utf8Step follows Python's UTF-8 decoder: an invalid sequence's maximal
// valid prefix is one error.
func utf8Step(b []byte) (rune, int, bool, string) {
	r, n := utf8.DecodeRune(b)
	if r != utf8.RuneError || n > 1 {
		return r, n, true, ""
	}
	c := b[0]
	var need int
	lo, hi := byte(0x80), byte(0xBF)
	switch {
	case c >= 0xC2 && c <= 0xDF:
		need = 1
	case c == 0xE0:
		need, lo = 2, 0xA0
	case c >= 0xE1 && c <= 0xEC, c == 0xEE, c == 0xEF:
		need = 2
	case c == 0xED:
		need, hi = 2, 0x9F
	case c == 0xF0:
		need, lo = 3, 0x90
	case c >= 0xF1 && c <= 0xF3:
		need = 3
	case c == 0xF4:
		need, hi = 3, 0x8F
	default:
		return 0, 1, false, "invalid start byte"
	}
	i := 1
	for ; i <= need && i < len(b); i++ {
		if b[i] < lo || b[i] > hi {
			return 0, i, false, "invalid continuation byte"
		}
		lo, hi = 0x80, 0xBF
	}
	return 0, i, false, "unexpected end of data"
}

func xtextStep(c codec) step {
	dec := c.enc.NewDecoder()
	fffd, _ := c.enc.NewEncoder().Bytes([]byte("\uFFFD"))
	var dst [16]byte
	return func(b []byte) (rune, int, bool, string) {
		// Feed one more byte at a time so exactly one character decodes.
		for k := 1; k <= len(b) && k <= 4; k++ {
			dec.Reset()
			nDst, nSrc, err := dec.Transform(dst[:], b[:k], k == len(b))
			if err == transform.ErrShortSrc || nDst == 0 {
				continue
			}
			r, _ := utf8.DecodeRune(dst[:nDst])
			if nSrc == 0 {
				nSrc = 1
			}
			if r == utf8.RuneError && (len(fffd) == 0 || string(b[:nSrc]) != string(fffd)) {
				if nSrc >= len(b) {
					return 0, nSrc, false, "incomplete multibyte sequence"
				}
				return 0, nSrc, false, "illegal multibyte sequence"
			}
			return r, nSrc, true, ""
		}
		return 0, 1, false, "incomplete multibyte sequence"
	}
}

func decodeSlow(c codec, b []byte, errors string, next step) (Decoded, error) {
	var units []uint16
	var sb strings.Builder
	surrogates := false
	for i := 0; i < len(b); {
		r, n, ok, reason := next(b[i:])
		if ok {
			if surrogates {
				units = utf16.AppendRune(units, r)
			} else {
				sb.WriteRune(r)
			}
			i += n
			continue
		}
		switch errors {
		case "strict":
			return Decoded{}, decodeErr(c, b[i], i, reason)
		case "replace":
			if surrogates {
				units = append(units, 0xFFFD)
			} else {
				sb.WriteRune(utf8.RuneError)
			}
		case "ignore":
		case "backslashreplace":
			for _, x := range b[i : i+n] {
				s := fmt.Sprintf("\\x%02x", x)
				if surrogates {
					units = append(units, utf16.Encode([]rune(s))...)
				} else {
					sb.WriteString(s)
				}
			}
		case "surrogateescape", "xmlcharrefreplace":
			if errors == "xmlcharrefreplace" {
				return Decoded{}, pyerr.TypeErrorf("don't know how to handle UnicodeDecodeError in error callback")
			}
			if !surrogates {
				surrogates = true
				units = utf16.Encode([]rune(sb.String()))
			}
			for _, x := range b[i : i+n] {
				if x < 128 {
					return Decoded{}, decodeErr(c, x, i, reason)
				}
				units = append(units, 0xDC00+uint16(x))
			}
		}
		i += n
	}
	if surrogates {
		return Decoded{Units: units}, nil
	}
	return Decoded{S: sb.String()}, nil
}

// Encode encodes UTF-16 text (a JS string's code units) with a Python
// encoding name and error handler, as str.encode(encoding, errors).
// Errors: LookupError, UnicodeEncodeError under 'strict'.
func Encode(units []uint16, encodingName, errors string) ([]byte, error) {
	c, err := lookupCodec(encodingName)
	if err != nil {
		return nil, err
	}
	if err := checkErrors(errors); err != nil {
		return nil, err
	}
	var enc *encoding.Encoder
	switch c.name {
	case "utf-16":
		enc = codecTable["utf-16-le"].NewEncoder() // one BOM, added below
	case "utf-32":
		enc = codecTable["utf-32-le"].NewEncoder()
	case "utf-8-sig":
		enc = nil // UTF-8, with the BOM added below
	default:
		if c.enc != nil {
			enc = c.enc.NewEncoder()
		}
	}
	out := make([]byte, 0, len(units))
	var buf [4]byte
	for i := 0; i < len(units); {
		u := units[i]
		r := rune(u)
		n := 1
		lone := false
		if utf16.IsSurrogate(r) {
			if u < 0xDC00 && i+1 < len(units) && units[i+1] >= 0xDC00 && units[i+1] <= 0xDFFF {
				r = utf16.DecodeRune(r, rune(units[i+1]))
				n = 2
			} else {
				lone = true
			}
		}
		var piece []byte
		ok := !lone
		if ok {
			switch c.name {
			case "utf-8", "utf-8-sig":
				piece = buf[:utf8.EncodeRune(buf[:], r)]
			case "ascii":
				if r < 128 {
					piece = []byte{byte(r)}
				} else {
					ok = false
				}
			default:
				p, err := enc.Bytes(buf[:utf8.EncodeRune(buf[:], r)])
				if err != nil {
					ok = false
				} else {
					piece = p
				}
			}
		}
		if !ok {
			switch {
			case errors == "surrogateescape" && lone && u >= 0xDC80 && u <= 0xDCFF:
				piece = []byte{byte(u - 0xDC00)}
			case errors == "replace":
				piece = []byte{'?'}
			case errors == "ignore":
				piece = nil
			case errors == "backslashreplace":
				piece = []byte(pyEscape(r))
			case errors == "xmlcharrefreplace" && !lone:
				piece = []byte(fmt.Sprintf("&#%d;", r))
			default:
				reason := "ordinal not in range(128)"
				if c.name == "latin-1" {
					reason = "ordinal not in range(256)"
				} else if lone {
					reason = "surrogates not allowed"
				} else if c.name != "ascii" {
					reason = "illegal multibyte sequence"
				}
				return nil, pyerr.New("UnicodeEncodeError", "'%s' codec can't encode character '%s' in position %d: %s", c.name, pyEscape(r), i, reason)
			}
		}
		out = append(out, piece...)
		i += n
	}
	switch c.name {
	case "utf-16":
		out = append([]byte{0xFF, 0xFE}, out...)
	case "utf-32":
		out = append([]byte{0xFF, 0xFE, 0, 0}, out...)
	case "utf-8-sig":
		out = append([]byte{0xEF, 0xBB, 0xBF}, out...)
	}
	return out, nil
}

func pyEscape(r rune) string {
	switch {
	case r < 0x100:
		return fmt.Sprintf("\\x%02x", r)
	case r < 0x10000:
		return fmt.Sprintf("\\u%04x", r)
	}
	return fmt.Sprintf("\\U%08x", r)
}
