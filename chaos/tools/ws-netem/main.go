package main

import _ "github.com/florianl/go-nfqueue/v2"

func main() {}
