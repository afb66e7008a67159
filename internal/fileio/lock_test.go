package fileio

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

func TestLockIsExclusiveAndReleased(t *testing.T) {
	path := filepath.Join(t.TempDir(), "deploy.lock")
	release, err := Lock(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Fatalf("lock file: %v, %v; want it private", fi.Mode(), err)
	}
	if _, err := Lock(path, 50*time.Millisecond); !errors.Is(err, ErrBusy) {
		t.Fatalf("second lock while held: %v, want ErrBusy", err)
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	release, err = Lock(path, 50*time.Millisecond)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	_ = release()
}

// holderEnv makes the test binary a process that holds the lock until its
// stdin closes: the lock must keep out other processes, not only goroutines.
const holderEnv = "CWSEC_TEST_HOLD_LOCK"

func TestMain(m *testing.M) {
	if path := os.Getenv(holderEnv); path != "" {
		release, err := Lock(path, time.Second)
		if err != nil {
			os.Exit(1)
		}
		os.Stdout.WriteString("held\n")
		buf := make([]byte, 1)
		_, _ = os.Stdin.Read(buf)
		_ = release()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestLockKeepsOutAnotherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "deploy.lock")
	holder := exec.Command(os.Args[0])
	holder.Env = append(os.Environ(), holderEnv+"="+path)
	stdin, err := holder.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := holder.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = holder.Process.Kill() }) // should the test fail first
	buf := make([]byte, 5)
	if _, err := stdout.Read(buf); err != nil || string(buf) != "held\n" {
		t.Fatalf("holder: %q, %v", buf, err)
	}
	if _, err := Lock(path, 100*time.Millisecond); !errors.Is(err, ErrBusy) {
		t.Fatalf("lock held by another process: %v, want ErrBusy", err)
	}
	stdin.Close()
	if err := holder.Wait(); err != nil {
		t.Fatal(err)
	}
	release, err := Lock(path, time.Second)
	if err != nil {
		t.Fatalf("after the holder exited: %v", err)
	}
	_ = release()
}
