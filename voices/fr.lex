# Lexique de prononciation français.
