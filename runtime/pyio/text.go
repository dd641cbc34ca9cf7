package pyio

import (
	"strings"
	"unicode/utf8"

	"github.com/forkjs/forkjs/runtime/engine"
)

// Newline handling of a text file, as Python's newline= argument.
const (
	newlineUniversal = iota // None: '\r\n' and '\r' read as '\n'
	newlineLF               // '\n': no translation, lines end at '\n'
	newlineAny              // '': no translation, lines end at '\n', '\r' or '\r\n'
)

// decodeChunk decodes raw into text, leaving an incomplete trailing
// character in the stream unless at EOF.
func (f *File) decodeChunk(raw []byte, eof bool) (string, []byte, error) {
	cut := len(raw)
	if !eof {
		if f.encoding == "utf-8" {
			// back up over an incomplete UTF-8 sequence at the end
			for i := 1; i <= 3 && i <= len(raw); i++ {
				c := raw[len(raw)-i]
				if c < 0x80 {
					break
				}
				if c >= 0xC0 {
					need := 2
					if c >= 0xE0 {
						need = 3
					}
					if c >= 0xF0 {
						need = 4
					}
					if need > i {
						cut = len(raw) - i
					}
					break
				}
			}
		} else {
			// multi-byte codecs: drop up to 3 trailing bytes until the rest
			// decodes strictly
			for k := 0; k <= 3 && k < len(raw); k++ {
				if _, err := engine.Decode(raw[:len(raw)-k], f.encoding, "strict"); err == nil {
					cut = len(raw) - k
					break
				}
			}
		}
	}
	v, err := engine.Decode(raw[:cut], f.encoding, f.errors)
	if err != nil {
		return "", nil, err
	}
	s := v.String()
	return s, raw[cut:], nil
}

// translate applies universal newlines; a trailing '\r' is held back until
// the next chunk shows whether '\n' follows.
func (f *File) translate(s string, eof bool) string {
	if f.newline != newlineUniversal {
		return s
	}
	if f.pendingCR {
		s = "\r" + s
		f.pendingCR = false
	}
	if !eof && strings.HasSuffix(s, "\r") {
		s = s[:len(s)-1]
		f.pendingCR = true
	}
	if strings.IndexByte(s, '\r') < 0 {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// fillText reads and decodes one more chunk into dbuf.
func (f *File) fillText(c engine.Cancel) (bool, error) {
	more, err := f.s.fill(c, 0)
	if err != nil {
		return false, err
	}
	text, rest, err := f.decodeChunk(f.s.rbuf, !more)
	if err != nil {
		return false, err
	}
	f.s.rbuf = append(f.s.rbuf[:0:0], rest...)
	f.dbuf += f.translate(text, !more)
	return more, nil
}

func (f *File) readText(c engine.Cancel, n int) (string, error) {
	if n < 0 {
		for {
			more, err := f.fillText(c)
			if err != nil {
				return "", err
			}
			if !more {
				break
			}
		}
		out := f.dbuf
		f.dbuf = ""
		return out, nil
	}
	for utf8.RuneCountInString(f.dbuf) < n {
		more, err := f.fillText(c)
		if err != nil {
			return "", err
		}
		if !more {
			break
		}
	}
	i, k := 0, 0
	for i < len(f.dbuf) && k < n {
		_, w := utf8.DecodeRuneInString(f.dbuf[i:])
		i += w
		k++
	}
	out := f.dbuf[:i]
	f.dbuf = f.dbuf[i:]
	return out, nil
}

func (f *File) lineEnd(s string) int {
	switch f.newline {
	case newlineAny:
		for i := 0; i < len(s); i++ {
			if s[i] == '\n' {
				return i + 1
			}
			if s[i] == '\r' {
				if i+1 < len(s) {
					if s[i+1] == '\n' {
						return i + 2
					}
					return i + 1
				}
				return -1 // need more to know
			}
		}
		return -1
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return i + 1
	}
	return -1
}

func (f *File) readlineText(c engine.Cancel, limit int) (string, error) {
	for {
		if e := f.lineEnd(f.dbuf); e >= 0 && (limit < 0 || utf8.RuneCountInString(f.dbuf[:e]) <= limit) {
			out := f.dbuf[:e]
			f.dbuf = f.dbuf[e:]
			return out, nil
		}
		if limit >= 0 && utf8.RuneCountInString(f.dbuf) >= limit {
			return f.readText(c, limit)
		}
		more, err := f.fillText(c)
		if err != nil {
			return "", err
		}
		if !more {
			if e := f.lineEnd(f.dbuf); e >= 0 {
				continue
			}
			out := f.dbuf
			f.dbuf = ""
			return out, nil
		}
	}
}

func (f *File) readlineBytes(c engine.Cancel, limit int) ([]byte, error) {
	s := f.s
	scanned := 0
	for {
		for i := scanned; i < len(s.rbuf); i++ {
			if s.rbuf[i] == '\n' || (limit >= 0 && i+1 >= limit) {
				out := append([]byte(nil), s.rbuf[:i+1]...)
				s.rbuf = s.rbuf[i+1:]
				return out, nil
			}
		}
		scanned = len(s.rbuf)
		more, err := s.fill(c, 0)
		if err != nil {
			return nil, err
		}
		if !more {
			out := s.rbuf
			s.rbuf = nil
			return out, nil
		}
	}
}
