// The most common passwords from public breach corpora (lower-cased).
// Matching is on the lower-cased candidate so "Password1" is caught too.
export const COMMON_PASSWORDS = new Set(
  `123456 123456789 12345678 password qwerty123 qwerty1 111111 12345 secret 123123 1234567890 1234567 000000 qwerty
abc123 password1 iloveyou 11111111 dragon monkey 123123123 123321 654321 666666 121212 1q2w3e4r 1qaz2wsx qwertyuiop
sunshine princess letmein football baseball welcome welcome1 admin admin123 administrator login passw0rd p@ssw0rd
p@ssword password123 password12 password! master hello123 freedom whatever trustno1 starwars superman batman
michael jennifer jordan23 shadow ashley charlie donald mustang access flower hottie loveme zaq12wsx 1q2w3e4r5t
qazwsx 7777777 88888888 987654321 q1w2e3r4 asdfghjkl asdf1234 zxcvbnm 1234qwer qwer1234 abcd1234 aa123456
changeme changeme1 default guest test123 test1234 testing123 letmein1 summer2024 winter2024 spring2024 autumn2024
summer2025 winter2025 summer2026 winter2026 company123 latchkey latchkey1 latchkey123 computer internet
soccer hockey killer pepper ginger cookie chocolate butterfly purple orange banana 123abc abc12345 pass1234
a1b2c3d4 1password 12qwaszx qwe123 qweasd qweasdzxc 123qwe 123456a 123456aa a123456 a12345678 password2`
    .split(/\s+/)
    .filter(Boolean),
);
