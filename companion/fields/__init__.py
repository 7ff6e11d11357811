"""Field understanding: what each form control asks for, and what the form is for."""
