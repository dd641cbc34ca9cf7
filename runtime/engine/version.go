package engine

// Version is forkjs's version, printed by --version and in sys.version.
const Version = "0.1.0"

// The parts of Version, for sys.version_info.
const (
	VersionMajor = 0
	VersionMinor = 1
	VersionPatch = 0
)

// MaxCallStackSize returns the runtime's JS call depth limit.
func (rt *Runtime) MaxCallStackSize() int { return rt.hdr.MaxStack }
