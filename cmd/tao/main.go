// Command tao is the command-line interface of a tao node: it parses flags and
// calls package node (or a typed client of a running node). It holds no logic
// of its own.
package main

import (
	"errors"
	"fmt"
	"io"
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

// run executes the CLI on the process's standard streams and returns the
// exit status.
func run(args []string) int { return runIO(args, os.Stdin, os.Stdout, os.Stderr) }

// runIO executes the CLI and returns the process exit status. Errors are
// printed once, here, as one line on stderr.
func runIO(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(stderr, ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "error:", err)
	return 1
}
