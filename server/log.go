package server

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// logger writes Redis-style log lines: "pid:M 25 Nov 2026 21:00:00.000 * message".
type logger struct {
	mu    sync.Mutex
	out   io.Writer
	level atomic.Int32
}

const (
	levelDebug int32 = iota
	levelVerbose
	levelNotice
	levelWarning
)

var levelMarks = [...]byte{'.', '-', '*', '#'}

func newLogger(out io.Writer, level string) *logger {
	l := &logger{out: out}
	l.setLevel(level)
	return l
}

func (l *logger) setLevel(name string) {
	lv := levelNotice
	switch name {
	case "debug":
		lv = levelDebug
	case "verbose":
		lv = levelVerbose
	case "warning":
		lv = levelWarning
	case "nothing":
		lv = levelWarning + 1
	}
	l.level.Store(lv)
}

func (l *logger) logf(level int32, format string, args ...any) {
	if level < l.level.Load() {
		return
	}
	line := fmt.Sprintf("%d:M %s %c %s\n", os.Getpid(), time.Now().Format("02 Jan 2006 15:04:05.000"), levelMarks[level], fmt.Sprintf(format, args...))
	l.mu.Lock()
	_, _ = io.WriteString(l.out, line)
	l.mu.Unlock()
}

func (l *logger) notice(format string, args ...any)  { l.logf(levelNotice, format, args...) }
func (l *logger) warning(format string, args ...any) { l.logf(levelWarning, format, args...) }
