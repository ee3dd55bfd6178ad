// Package apperr defines the one application error type that every layer
// returns, so that the web and API front ends can map failures to a status
// and a message a user can act on without ever showing internals.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an application error.
type Code string

// Error codes. Each maps to one HTTP status in the front ends.
const (
	Invalid      Code = "invalid"      // the input is wrong; the message says what to fix
	NotFound     Code = "not_found"    // no such object, or the actor may not know it exists
	Forbidden    Code = "forbidden"    // the actor may not do this
	Unauthorized Code = "unauthorized" // no valid credentials
	Conflict     Code = "conflict"     // the object changed or already exists
	RateLimited  Code = "rate_limited" // too many attempts; try later
	Internal     Code = "internal"     // a bug or an outage; details are logged, never shown
)

// Error is an application error: a code, a message meant for the user
// (Japanese in the UI), and optional per-field messages for forms.
type Error struct {
	Code    Code
	Message string
	// Fields maps a form or JSON field name to what is wrong with it.
	Fields map[string]string
	// Err is the underlying cause, logged but never shown.
	Err error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// E returns an error with the code and a user-facing message.
func E(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an internal error that keeps err as its logged cause.
func Wrap(err error, format string, args ...any) *Error {
	return &Error{Code: Internal, Message: fmt.Sprintf(format, args...), Err: err}
}

// InvalidFields returns an Invalid error that names what is wrong per field.
func InvalidFields(fields map[string]string) *Error {
	return &Error{Code: Invalid, Message: "入力内容を確認してください。", Fields: fields}
}

// CodeOf returns the code of err, Internal for errors of other types and ""
// for nil.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// MessageOf returns the user-facing message of err, or a generic one for
// errors that are not application errors, so internals never leak.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		return e.Message
	}
	return "内部エラーが発生しました。時間をおいて再度お試しください。"
}

// FieldsOf returns the per-field messages of err, if any.
func FieldsOf(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Is reports whether err carries the code.
func Is(err error, code Code) bool { return CodeOf(err) == code }
