# English pronunciation lexicon, applied before eSpeak NG speaks (voices
# en-gb and en-us). One entry a line: a word or phrase, '=', then a
# respelling or eSpeak NG phonemes in [[...]]. Matching ignores case and
# keeps a possessive ("Cotillard's"). Each entry below was checked with
# `espeak-ng -q -x -v en+m3 WORD` (what eSpeak NG says without it) and
# `espeak-ng -q -x -v en "[[...]]"` (eSpeak NG takes every phoneme).
# `revcast words REVIEW` lists the words that still need an entry.

# Matthias Schoenaerts, Belgian (Flemish) actor: "MAH-tee-as SKHOO-narts".
# Alone, eSpeak NG says ma#T'aI@s sk'oUne@ts ("ma-THIGH-us SKOH-nairts").
Matthias Schoenaerts = [[m'A:ti:@s sx'u:nA:ts]]
Schoenaerts = [[sx'u:nA:ts]]

# Marion Cotillard, French actress: "ko-tee-YAR" (eSpeak NG: k'oUti:;,A:).
Cotillard = [[k,0ti:j'A:]]

# Jacques Audiard, French director: "oh-dee-AR" (eSpeak NG: 'O:dI2;3d).
# "Jacques" needs nothing: eSpeak NG already says Z'ak.
Audiard = [[,oUdi:'A:]]

# Marineworld, the marine park in Rust and Bone: "ma-REEN-world"
# (eSpeak NG: m@r'aInw3:ld, "ma-RINE-world").
Marineworld = [[m@r'i:nw,3:ld]]

# Carol Bowditch, the review's author: "BOW-ditch", /ˈbaʊdɪtʃ/ as in
# Nathaniel Bowditch (eSpeak NG: b'oUdItS, "BOH-ditch").
Bowditch = [[b'aUdItS]]
