// Consumer app for the end-to-end tests (v0.x and v1.x module path): prints the
// target triple reported by the SLIM library that cgo linked, nothing else.
package main

import (
	"fmt"

	slim "github.com/agntcy/slim-bindings-go"
)

func main() {
	fmt.Println(slim.Target())
}
