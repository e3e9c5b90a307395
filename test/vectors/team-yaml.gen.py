# Dev-time generator of test/vectors/team-yaml.json (not run by the tests): ruamel.yaml's output,
# configured as pocket_protector configures it (round-trip dumper, width 100, OrderedDict mappings),
# for generated strings as mapping key, mapping value and sequence item.
# Usage: python3 test/vectors/team-yaml.gen.py SEED COUNT > test/vectors/team-yaml.json  (Debian: python3-ruamel.yaml)
import sys, collections
from io import StringIO
import ruamel.yaml
def rep(dumper, data):
    value = []
    for k, v in data.items():
        value.append((dumper.represent_data(k), dumper.represent_data(v)))
    return ruamel.yaml.nodes.MappingNode(u'tag:yaml.org,2002:map', value)
ruamel.yaml.representer.RoundTripRepresenter.add_representer(collections.OrderedDict, rep)
y = ruamel.yaml.YAML(); y.width = 100
def dump(data):
    s = StringIO(); y.dump(data, s); return s.getvalue()
import json, random, collections, sys
O = collections.OrderedDict
random.seed(int(sys.argv[1]) if len(sys.argv) > 1 else 6)
atoms = list("abcXYZ019 :#-?,[]{}&*!|>'\"%@`.=~<_+/\\\t\n") + ['é', 'ë', '😀', '\u2028', '\x85', '\xa0', '\ufeff', '\x01', '\x7f', '\r', '\x00', '\u200b', '\ue000', '\ufffe']
tokens = ['true', 'False', 'null', 'NULL', '~', 'yes', 'no', 'on', 'off', '123', '-1', '+1', '0x1F', '0o17', '0b101', '1_000', '_', '1.5', '.5', '1e3', '1.', '.inf', '-.INF', '.nan', '2026-11-24', '2026-1-2 3:04:05', '2026-11-24T07:11:01Z', '<<', '=', '---', '...', '- x', '-x', ':x', '? x', '#x', 'a #b', 'a# b', 'a: b', 'a:b', "it's", 'x\ny', 'x \ny', 'x\n y', '', ' ', 'word', 'secret-API_KEY', 'fast@example.com', 'AQIAAAAAAAAEfrTWdboX4K73wnMplYG6ogAuY9AWioh1+LDM8xRntYxP8PAHKpLuLQ==']
def rnd():
    k = random.random()
    if k < 0.25: return random.choice(tokens)
    if k < 0.55:
        return ''.join(random.choice(atoms) for _ in range(random.randint(1, 12)))
    if k < 0.8:
        words = [''.join(random.choice('abcdefghij') for _ in range(random.randint(1, 14))) for _ in range(random.randint(5, 40))]
        sep = random.choice([' ', ' ', ' ', '  ', ': ', ' # ', "'", ' \'', '\n'])
        s = '2026-11-24T07:11:04Z -- ' + ' '.join(words)
        if random.random() < 0.3:
            i = random.randint(0, len(s)); s = s[:i] + sep + s[i:]
        if random.random() < 0.2:
            i = random.randint(0, len(s)); s = s[:i] + random.choice(atoms) + s[i:]
        return s
    return random.choice(tokens) + random.choice(atoms) + random.choice(tokens)
out = []
seen = set()
for _ in range(int(sys.argv[2]) if len(sys.argv) > 2 else 1500):
    s = rnd()
    if s in seen or s in ('zz-x', 'zz-k', 'audit-log'): continue
    seen.add(s)
    doc = O([(s, O([('zz-x', s)])), ('zz-k', O([(s, s)])), ('audit-log', [s])])
    out.append({'s': s, 'yaml': dump(doc)})
json.dump(out, sys.stdout, ensure_ascii=True, indent=0)
