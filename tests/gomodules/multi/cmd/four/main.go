// One of the four programs of the parallel-build consumer: a main package
// with cgo of its own that imports the bindings. Prints its name, a number
// computed in C, and the triple of the SLIM library cgo linked.
package main

/*
static int id(void) { return 4; }
*/
import "C"

import (
	"fmt"

	slim "github.com/agntcy/slim-bindings-go"

	"example.com/consumer/internal/twice"
)

func main() {
	fmt.Println("four", twice.Of(int(C.id())), slim.Target())
}
