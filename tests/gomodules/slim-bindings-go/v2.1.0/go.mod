module github.com/agntcy/slim-bindings-go/v2

go 1.22
