//go:build !windows

package certs

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"syscall"
)

// shellCommand runs command with sh -c in its own process group, so that a
// timeout stops the whole command, not only the shell.
func shellCommand(ctx context.Context, command string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", command)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		if cmd.Process == nil {
			return nil
		}
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	return cmd
}

// preserveOwner gives a replaced file the owner and group the old one had,
// so that a server reading it as another account still can. It does what the
// process is allowed to and is silent otherwise.
func preserveOwner(path string, old fs.FileInfo) {
	if st, ok := old.Sys().(*syscall.Stat_t); ok {
		_ = os.Lchown(path, int(st.Uid), int(st.Gid))
	}
}
