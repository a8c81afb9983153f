"""Today: the home screen's state (:mod:`db.today.state`) and its next action
(:mod:`db.today.rules`)."""
