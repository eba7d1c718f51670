module github.com/agntcy/slim-bindings-go

go 1.22
