package imapclient

// CountsForTest returns how many commands other than IDLE are counted
// from their start to their completion (users), and how many of those
// are past the waits of IDLE and QuirkPipelineLimit (inflight).
func (c *Client) CountsForTest() (users, inflight int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.users, c.inflight
}
