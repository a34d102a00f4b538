module github.com/mailaccess/mailaccess

go 1.26.8
