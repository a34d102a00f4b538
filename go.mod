module github.com/mailaccess/mailaccess

go 1.26.8

require (
	github.com/emersion/go-message v0.18.2
	github.com/emersion/go-sasl v0.0.0-20241020182733-b788ff22d5a6
	github.com/xdg-go/scram v1.4.0
	golang.org/x/crypto v0.58.0
	golang.org/x/text v0.43.0
)

require github.com/xdg-go/stringprep v1.0.4 // indirect
