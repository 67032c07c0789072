"""Pure rules and state: no I/O, no botbuilder, no azure; time is always passed in."""
