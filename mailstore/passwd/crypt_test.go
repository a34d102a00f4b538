package passwd

import "testing"

// TestSHA512Crypt runs the test vectors of Drepper's specification.
func TestSHA512Crypt(t *testing.T) {
	cases := []struct{ setting, password, want string }{
		{"$6$saltstring", "Hello world!", "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"},
		{"$6$rounds=10000$saltstringsaltstring", "Hello world!", "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v."},
		{"$6$rounds=5000$toolongsaltstring", "This is just a test", "$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0"},
		{"$6$rounds=10$roundstoolow", "the minimum number is still observed", "$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX."},
	}
	for _, c := range cases {
		got, ok := sha512Crypt(c.password, c.setting)
		if !ok || got != c.want {
			t.Errorf("sha512Crypt(%q, %q) = %q, want %q", c.password, c.setting, got, c.want)
		}
		if !checkSHA512Crypt(c.password, c.want) || checkSHA512Crypt(c.password+"x", c.want) {
			t.Errorf("check %q", c.want)
		}
	}
}
