package audit

import (
	"os"
	"os/user"
	"strconv"
)

// LocalActor describes who is running this process: the OS account (by name
// where the system can say, else by uid), the account that ran sudo, and the
// host name.
func LocalActor() Actor {
	a := Actor{User: currentUser(), SudoUser: os.Getenv("SUDO_USER")}
	if host, err := os.Hostname(); err == nil {
		a.Host = host
	}
	return a
}

func currentUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if name := os.Getenv("USER"); name != "" {
		return name
	}
	return "uid:" + strconv.Itoa(os.Getuid())
}
