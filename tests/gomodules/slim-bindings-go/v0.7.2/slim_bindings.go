// Package slim_bindings is a stand-in for github.com/agntcy/slim-bindings-go v0.7.2,
// used by slim-setup's end-to-end tests. Its #cgo LDFLAGS lines are the
// published ones byte for byte (both -L folders, in the published order);
// only the C API is reduced to one call.
//
// v0.7.2 names the cache folder first: the parent of GOPATH + /.cache/slim-bindings
// (windows/amd64: + /AppData/Local/slim-bindings).
package slim_bindings

// #cgo linux,amd64 LDFLAGS: -L${SRCDIR}/../../../../../../.cache/slim-bindings -L${SRCDIR} -lslim_bindings_x86_64_linux_gnu -lm
// #cgo linux,arm64 LDFLAGS: -L${SRCDIR}/../../../../../../.cache/slim-bindings -L${SRCDIR} -lslim_bindings_aarch64_linux_gnu -lm
// #cgo darwin,amd64 LDFLAGS: -L${SRCDIR}/../../../../../../.cache/slim-bindings -L${SRCDIR} -lslim_bindings_x86_64_darwin -Wl,-undefined,dynamic_lookup
// #cgo darwin,arm64 LDFLAGS: -L${SRCDIR}/../../../../../../.cache/slim-bindings -L${SRCDIR} -lslim_bindings_aarch64_darwin -Wl,-undefined,dynamic_lookup
// #cgo windows,amd64 LDFLAGS: -L${SRCDIR}/../../../../../../AppData/Local/slim-bindings -L${SRCDIR} -lslim_bindings_x86_64_windows_gnu -lws2_32 -lbcrypt -ladvapi32 -luserenv -lntdll -lgcc_eh -lgcc -lkernel32 -lole32
//
// const char *slim_fixture_target(void);
import "C"

// Target returns the Rust target triple the linked SLIM library was built for,
// proving which static archive cgo linked.
func Target() string {
	return C.GoString(C.slim_fixture_target())
}
