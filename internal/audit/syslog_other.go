//go:build windows || plan9

package audit

import (
	"errors"
	"time"
)

// SyslogSink reports that there is no syslog here: Windows has none, and
// log/syslog does not exist for it. 'cwsec audit export' feeds a log system.
func SyslogSink(time.Duration, func(error)) (Sink, error) {
	return nil, errors.New("audit.syslog is not supported on this system (no syslog); use 'cwsec audit export' to feed a log system")
}
