// Command tao is the command-line interface of a tao node: it parses flags and
// calls package node (or a typed client of a running node). It holds no logic
// of its own.
package main

import (
	"errors"
	"fmt"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

// exitError carries a specific exit status out of a command. Commands return
// it for usage errors (status 2) so that main prints the message once and
// exits with the documented code.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError marks err as a usage or input error: exit status 2.
func usageError(err error) error { return &exitError{code: 2, err: err} }

// run executes the CLI and returns the process exit status. Errors are
// printed once, here.
func run(args []string) int {
	root := newRootCmd()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(os.Stderr, ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(os.Stderr, "error:", err)
	return 1
}
