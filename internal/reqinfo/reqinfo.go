// Package reqinfo carries facts about the current request (its ID and the
// client's address) through a context, so that services can record them in
// the audit log without knowing about HTTP.
package reqinfo

import "context"

type key struct{}

// Info describes the request being served.
type Info struct {
	RequestID string
	IP        string
	UserAgent string
}

// With returns ctx carrying info.
func With(ctx context.Context, info Info) context.Context {
	return context.WithValue(ctx, key{}, info)
}

// From returns the info in ctx, or the zero Info.
func From(ctx context.Context) Info {
	info, _ := ctx.Value(key{}).(Info)
	return info
}
