// Consumer app for the end-to-end tests (v2 module path): prints the target
// triple reported by the SLIM library that cgo linked. It also links the
// slim_rpc sub-package, whose cgo -L has one more ../, and fails if the two
// disagree.
package main

import (
	"fmt"
	"os"

	slim "github.com/agntcy/slim-bindings-go/v2"
	"github.com/agntcy/slim-bindings-go/v2/slim_rpc"
)

func main() {
	if rpc := slim_rpc.Target(); rpc != slim.Target() {
		fmt.Fprintf(os.Stderr, "slim_rpc linked %q, slim_bindings %q\n", rpc, slim.Target())
		os.Exit(1)
	}
	fmt.Println(slim.Target())
}
