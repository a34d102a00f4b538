module github.com/mailaccess/mailaccess

go 1.26.8

require golang.org/x/text v0.43.0

require github.com/emersion/go-message v0.18.2 // indirect
