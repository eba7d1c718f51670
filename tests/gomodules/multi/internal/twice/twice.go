// Package twice is the shared package of the parallel-build consumer: cgo of
// its own, and an import of the bindings, like the programs that use it.
package twice

/*
static int twice(int x) { return 2 * x; }
*/
import "C"

import slim "github.com/agntcy/slim-bindings-go"

// Of returns 2*x, computed in C.
func Of(x int) int {
	_ = slim.Target
	return int(C.twice(C.int(x)))
}
