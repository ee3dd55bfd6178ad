package app_test

import (
	"io"
	"mime/multipart"
	"strconv"

	"github.com/hakui-dev/hakui/internal/app"
	"github.com/hakui-dev/hakui/internal/identity"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func apptestNewDoctor(email string) app.NewUser {
	return app.NewUser{Email: email, Name: "初期 太郎", Role: identity.RoleDoctor}
}

func mustInt(t interface{ Fatal(...any) }, s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func multipartWriter(w io.Writer) *multipart.Writer { return multipart.NewWriter(w) }
