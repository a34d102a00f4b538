module github.com/mailaccess/mailaccess/interop

go 1.26.8

require github.com/mailaccess/mailaccess v0.0.0

require golang.org/x/text v0.43.0 // indirect

replace github.com/mailaccess/mailaccess => ../
