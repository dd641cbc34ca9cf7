package engine

import (
	"encoding/binary"
	"fmt"
	"math"
	"sync"

	"github.com/fxamacker/cbor/v2"
)

// Host call results are journaled as CBOR. The common result types (ints,
// strings, byte slices, booleans, float64, nothing) are encoded and decoded
// by hand, because every host call pays for this; anything else goes
// through fxamacker/cbor with canonical (sorted) map keys so that equal
// values always give equal bytes.

// encMode and decMode are built on first use: building them at package
// init would cost every start-up, including forked children's.
var (
	cborOnce sync.Once
	encModeV cbor.EncMode
	decModeV cbor.DecMode
)

func initCBOR() {
	var err error
	encModeV, err = cbor.CanonicalEncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	decModeV, err = cbor.DecOptions{
		MaxNestedLevels:  256,
		MaxArrayElements: 1 << 26,
		MaxMapPairs:      1 << 26,
		IntDec:           cbor.IntDecConvertSigned,
	}.DecMode()
	if err != nil {
		panic(err)
	}
}

type lazyEnc struct{}
type lazyDec struct{}

func (lazyEnc) Marshal(v any) ([]byte, error) { cborOnce.Do(initCBOR); return encModeV.Marshal(v) }
func (lazyDec) Unmarshal(b []byte, v any) error {
	cborOnce.Do(initCBOR)
	return decModeV.Unmarshal(b, v)
}

var (
	encMode lazyEnc
	decMode lazyDec
)

func appendHead(b []byte, major byte, n uint64) []byte {
	switch {
	case n < 24:
		return append(b, major<<5|byte(n))
	case n <= math.MaxUint8:
		return append(b, major<<5|24, byte(n))
	case n <= math.MaxUint16:
		return binary.BigEndian.AppendUint16(append(b, major<<5|25), uint16(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(b, major<<5|26), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, major<<5|27), n)
}

func appendInt(b []byte, v int64) []byte {
	if v >= 0 {
		return appendHead(b, 0, uint64(v))
	}
	return appendHead(b, 1, uint64(-1-v))
}

// encodePayload encodes a host call's result.
func encodePayload(v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case struct{}:
		return nil, nil
	case int:
		return appendInt(nil, int64(x)), nil
	case int64:
		return appendInt(nil, x), nil
	case bool:
		if x {
			return []byte{0xf5}, nil
		}
		return []byte{0xf4}, nil
	case string:
		return append(appendHead(make([]byte, 0, len(x)+9), 3, uint64(len(x))), x...), nil
	case []byte:
		if x == nil {
			return []byte{0xf6}, nil
		}
		return append(appendHead(make([]byte, 0, len(x)+9), 2, uint64(len(x))), x...), nil
	case float64:
		return binary.BigEndian.AppendUint64([]byte{0xfb}, math.Float64bits(x)), nil
	}
	return encMode.Marshal(v)
}

// encodePayloadParts is encodePayload split into a head and a body that
// aliases v's bytes (for []byte and string results), so that the journal
// can write a large body without copying it first.
func encodePayloadParts(v any) (head, body []byte, err error) {
	switch x := v.(type) {
	case []byte:
		if x != nil && len(x) >= bigBody {
			return appendHead(make([]byte, 0, 9), 2, uint64(len(x))), x, nil
		}
	case string:
		if len(x) >= bigBody {
			return appendHead(make([]byte, 0, 9), 3, uint64(len(x))), []byte(x), nil
		}
	}
	b, err := encodePayload(v)
	return b, nil, err
}

// readHead decodes a CBOR head of the given major type.
func readHead(b []byte, major byte) (uint64, int, error) {
	if len(b) == 0 || b[0]>>5 != major {
		return 0, 0, fmt.Errorf("journal payload: want CBOR major type %d", major)
	}
	ai := b[0] & 31
	switch {
	case ai < 24:
		return uint64(ai), 1, nil
	case ai == 24 && len(b) >= 2:
		return uint64(b[1]), 2, nil
	case ai == 25 && len(b) >= 3:
		return uint64(binary.BigEndian.Uint16(b[1:])), 3, nil
	case ai == 26 && len(b) >= 5:
		return uint64(binary.BigEndian.Uint32(b[1:])), 5, nil
	case ai == 27 && len(b) >= 9:
		return binary.BigEndian.Uint64(b[1:]), 9, nil
	}
	return 0, 0, fmt.Errorf("journal payload: bad CBOR head")
}

func decodeInt(b []byte) (int64, error) {
	if len(b) > 0 && b[0]>>5 == 1 {
		n, _, err := readHead(b, 1)
		return -1 - int64(n), err
	}
	n, _, err := readHead(b, 0)
	return int64(n), err
}

// decodePayload decodes a journaled result into out.
func decodePayload(b []byte, out any) error {
	switch p := out.(type) {
	case *struct{}:
		return nil
	case *int:
		v, err := decodeInt(b)
		*p = int(v)
		return err
	case *int64:
		v, err := decodeInt(b)
		*p = v
		return err
	case *bool:
		if len(b) != 1 || (b[0] != 0xf4 && b[0] != 0xf5) {
			return fmt.Errorf("journal payload: want bool")
		}
		*p = b[0] == 0xf5
		return nil
	case *string:
		n, h, err := readHead(b, 3)
		if err != nil || uint64(len(b)-h) < n {
			return fmt.Errorf("journal payload: want string")
		}
		*p = string(b[h : h+int(n)])
		return nil
	case *[]byte:
		if len(b) == 1 && b[0] == 0xf6 {
			*p = nil
			return nil
		}
		n, h, err := readHead(b, 2)
		if err != nil || uint64(len(b)-h) < n {
			return fmt.Errorf("journal payload: want bytes")
		}
		// Copy: the result belongs to the script, the journal is read-only.
		*p = append(make([]byte, 0, n), b[h:h+int(n)]...)
		return nil
	case *float64:
		if len(b) != 9 || b[0] != 0xfb {
			return fmt.Errorf("journal payload: want float64")
		}
		*p = math.Float64frombits(binary.BigEndian.Uint64(b[1:]))
		return nil
	}
	if len(b) == 0 {
		return nil
	}
	return decMode.Unmarshal(b, out)
}
