# Lexique de prononciation français (French pronunciation lexicon), applied
# before eSpeak NG speaks with the fr voice. Same format as en.lex: a word
# or phrase, '=', then a respelling or eSpeak NG phonemes in [[...]].
# An elision is kept ("d'Audiard").

# Matthias Schoenaerts, acteur flamand : "SKHOU-narts"
# (eSpeak NG fr: So@na'Er, "cho-é-naire").
Schoenaerts = [[sxun'arts]]

# Names eSpeak NG's French voice already says well, checked with
# `espeak-ng -q -x -v fr` (kotij'ar, odj'ar, marj'O~, matj'as): an entry
# that keeps the word as it is tells `revcast words` it needs nothing.
Cotillard = Cotillard
Audiard = Audiard
Marion = Marion
Matthias = Matthias
