package local

import (
	"bufio"
	"errors"
	"net"
	"net/http"
)

// LoggingWriter records what a handler answered, for a request log: the
// status (0 until one is sent; a body, a flush or a hijacked connection
// that the handler answers itself count as 200 unless the handler said
// otherwise) and a note on what happened to the connection, if anything.
// It passes Flush and Hijack through when the writer it wraps has them.
type LoggingWriter struct {
	http.ResponseWriter
	Status int
	Note   string
}

func (lw *LoggingWriter) WriteHeader(code int) {
	if lw.Status == 0 {
		lw.Status = code
	}
	lw.ResponseWriter.WriteHeader(code)
}

func (lw *LoggingWriter) Write(b []byte) (int, error) {
	if lw.Status == 0 {
		lw.Status = http.StatusOK
	}
	return lw.ResponseWriter.Write(b)
}

func (lw *LoggingWriter) Flush() {
	if f, ok := lw.ResponseWriter.(http.Flusher); ok {
		if lw.Status == 0 {
			lw.Status = http.StatusOK
		}
		f.Flush()
	}
}

func (lw *LoggingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := lw.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("connection cannot be hijacked")
	}
	return hj.Hijack()
}
