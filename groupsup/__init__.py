"""groupsup: facilitate a social-work pod's group reflective supervision from the terminal."""
