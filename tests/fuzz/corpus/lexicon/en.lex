# English pronunciation lexicon, applied before eSpeak NG speaks.
# word or phrase = respelling, or eSpeak NG phonemes in [[...]]
Schoenaerts = [[sx'u:na:rts]]
Cotillard = [[k,o:ti:j'A:]]
Audiard = [[o:dI'A:]]
