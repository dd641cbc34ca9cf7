package pyio

import (
	"strings"
	"unicode/utf16"
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

// Text read-ahead (dbuf) holds decoded text as it was in the file, with
// no newline translation: translation happens as text is handed out, so
// that tell() can say exactly where in the file the next character is.

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
	f.dbuf += text
	if !more {
		f.s.eof = true
	}
	return more, nil
}

// take removes up to n characters (n < 0: all) of translated text from
// dbuf; with universal newlines "\r\n" and "\r" count as one "\n". It
// reports needMore when dbuf ends with "\r" that the next chunk decides.
func (f *File) take(n int, eof bool) (out string, needMore bool) {
	var b strings.Builder
	i, k := 0, 0
	for i < len(f.dbuf) && (n < 0 || k < n) {
		c := f.dbuf[i]
		if c == '\r' && f.newline == newlineUniversal {
			if i+1 == len(f.dbuf) && !eof {
				return f.commit(&b, i), true
			}
			b.WriteByte('\n')
			i++
			if i < len(f.dbuf) && f.dbuf[i] == '\n' {
				i++
			}
			k++
			continue
		}
		_, w := utf8.DecodeRuneInString(f.dbuf[i:])
		b.WriteString(f.dbuf[i : i+w])
		i += w
		k++
	}
	return f.commit(&b, i), false
}

func (f *File) commit(b *strings.Builder, i int) string {
	f.dbuf = f.dbuf[i:]
	return b.String()
}

func (f *File) readText(c engine.Cancel, n int) (string, error) {
	if n < 0 {
		for !f.s.eof {
			if _, err := f.fillText(c); err != nil {
				return "", err
			}
		}
		out, _ := f.take(-1, true)
		return out, nil
	}
	var out strings.Builder
	got := 0
	for got < n {
		// one character more than needed lets a final '\r' be decided
		if !f.s.eof && utf8.RuneCountInString(f.dbuf) <= n-got {
			if _, err := f.fillText(c); err != nil {
				return "", err
			}
			continue
		}
		piece, needMore := f.take(n-got, f.s.eof)
		out.WriteString(piece)
		got += utf8.RuneCountInString(piece)
		if needMore {
			if _, err := f.fillText(c); err != nil {
				return "", err
			}
			continue
		}
		if f.s.eof && f.dbuf == "" {
			break
		}
	}
	return out.String(), nil
}

// lineEnd returns the length in dbuf of the first line (with its ending),
// or -1 if dbuf holds no complete line yet.
func (f *File) lineEnd(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n':
			return i + 1
		case '\r':
			if f.newline == newlineLF {
				continue
			}
			if i+1 < len(s) {
				if s[i+1] == '\n' {
					return i + 2
				}
				return i + 1
			}
			if f.s.eof {
				return i + 1
			}
			return -1 // the next chunk decides between "\r" and "\r\n"
		}
	}
	return -1
}

func (f *File) readlineText(c engine.Cancel, limit int) (string, error) {
	for {
		e := f.lineEnd(f.dbuf)
		if e < 0 && !f.s.eof && (limit < 0 || utf8.RuneCountInString(f.dbuf) < limit) {
			if _, err := f.fillText(c); err != nil {
				return "", err
			}
			continue
		}
		if e < 0 {
			e = len(f.dbuf)
		}
		line := f.dbuf[:e]
		if limit >= 0 && utf8.RuneCountInString(line) > limit {
			out, _ := f.take(limit, true)
			return out, nil
		}
		f.dbuf = f.dbuf[e:]
		if f.newline == newlineUniversal {
			if strings.HasSuffix(line, "\r\n") {
				line = line[:len(line)-2] + "\n"
			} else if strings.HasSuffix(line, "\r") {
				line = line[:len(line)-1] + "\n"
			}
		}
		return line, nil
	}
}

// pendingBytes is how many bytes of the file the text read-ahead stands
// for (for tell): the undecoded bytes plus dbuf encoded back.
func (f *File) pendingBytes() int64 {
	n := int64(len(f.s.rbuf))
	if f.dbuf == "" {
		return n
	}
	if f.encoding == "utf-8" {
		return n + int64(len(f.dbuf))
	}
	if b, err := engine.Encode(utf16.Encode([]rune(f.dbuf)), f.encoding, "strict"); err == nil {
		if f.encoding == "utf-16" {
			return n + int64(len(b)) - 2 // no second BOM
		}
		return n + int64(len(b))
	}
	return n + int64(len(f.dbuf))
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
