package node

import "net/http"

// errNoValidator answers GET /validator on a node without the role.
const errNoValidator = "this node runs no validator (start it with `tao validator --netuid N`)"

// handleValidator serves GET /validator: the validator role's status
// (ValidatorStatus) as JSON.
func (n *Node) handleValidator(w http.ResponseWriter, r *http.Request) {
	st, ok := n.ValidatorStatus()
	if !ok {
		writeJSON(w, http.StatusNotFound, apiError{errNoValidator})
		return
	}
	writeJSON(w, http.StatusOK, st)
}
