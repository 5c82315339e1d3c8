"""The customer's side of the desk: portal sign-in links, what a customer sees and does, the contact form."""
