package prefault

import (
	"reflect"
	"testing"
)

func TestBinaryRanges(t *testing.T) {
	maps := []byte(`00400000-00914000 r-xp 00000000 08:01 123 /usr/bin/forkjs
00914000-00ed1000 r--p 00514000 08:01 123 /usr/bin/forkjs
00ed1000-00f00000 rw-p 00ad1000 08:01 123 /usr/bin/forkjs
00f00000-01000000 rw-p 00000000 00:00 0
7f0000000000-7f0000001000 r-xp 00000000 08:01 456 /usr/bin/forkjs-other
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0 [stack]
`)
	got := binaryRanges(maps, []byte("/usr/bin/forkjs"), 1<<40)
	want := [][2]uintptr{{0x400000, 0x914000}, {0x914000, 0xed1000}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("ranges = %x, want %x", got, want)
	}
	// bounded in total
	got = binaryRanges(maps, []byte("/usr/bin/forkjs"), 0x600000)
	if len(got) != 2 || got[1] != [2]uintptr{0x914000, 0x914000 + 0x600000 - 0x514000} {
		t.Fatalf("bounded ranges = %x", got)
	}
	if got := binaryRanges(maps, nil, 1<<40); got != nil {
		t.Fatalf("no executable path: %x", got)
	}
}

// The ranges found for this test binary cover the code that is running.
func TestBinaryRangesOfSelf(t *testing.T) {
	exe := exePath()
	if exe == nil {
		t.Skip("no /proc/self/exe")
	}
	pc := reflect.ValueOf(TestBinaryRangesOfSelf).Pointer()
	for _, r := range binaryRanges(readMaps(), exe, 1<<40) {
		if pc >= r[0] && pc < r[1] {
			return
		}
	}
	t.Fatalf("no read-only mapping of %s holds this code (pc %#x)", exe, pc)
}
