package pages

import "trustcenter/shared/trust"

// TopicLabel is what the form calls topic t.
func (p *Page) TopicLabel(t trust.Topic) string { return p.T("subscribe.topic." + string(t)) }
