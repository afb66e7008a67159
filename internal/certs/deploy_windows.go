//go:build windows

package certs

import (
	"context"
	"io/fs"
	"os/exec"
	"syscall"
)

// shellCommand runs command with cmd /C. The command line is passed as is:
// Go's argument quoting is for programs that parse it the C way, which cmd
// does not.
func shellCommand(ctx context.Context, command string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "cmd.exe")
	cmd.SysProcAttr = &syscall.SysProcAttr{CmdLine: `cmd.exe /C ` + command}
	return cmd
}

// preserveOwner does nothing on Windows: access there follows the
// directory's ACL, which a replaced file inherits.
func preserveOwner(string, fs.FileInfo) {}
