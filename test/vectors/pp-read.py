# Reads a protected.yaml the way pocket_protector does (ruamel.yaml round-trip loader, PyNaCl
# sealed boxes, hashlib + libsodium Argon2id), independently of seeqret, and prints JSON:
#   {"redump_identical": bool, "domains": {domain: {secret: value}}}
# for the credentials given as JSON on stdin ({"name": "passphrase", ...}). With --many, stdin is a
# JSON list of [file, credentials] and the output a JSON list of those results, in order (one
# Python start, with its imports, for several files). Used by test/team-format.test.ts when python3
# has ruamel.yaml and nacl (Debian: python3-ruamel.yaml, python3-nacl); skipped otherwise.
import base64, collections, hashlib, json, struct, sys
from io import StringIO
import nacl.public, nacl.pwhash
import ruamel.yaml

def rep(dumper, data):
    return ruamel.yaml.nodes.MappingNode(u'tag:yaml.org,2002:map', [(dumper.represent_data(k), dumper.represent_data(v)) for k, v in data.items()])
ruamel.yaml.representer.RoundTripRepresenter.add_representer(collections.OrderedDict, rep)
y = ruamel.yaml.YAML(); y.width = 100

def dec(b64):
    raw = base64.b64decode(b64); assert raw[:1] == b'\0'; return raw[1:]

def read(path, creds):
    """What the old tool reads from the file at `path` with `creds`: the result described above."""
    text = open(path, 'rb').read().decode('utf8')
    c = y.load(text)
    assert set(c) >= {'audit-log', 'key-custodians'}
    log = [str(x) for x in c['audit-log']]
    assert all(isinstance(x, str) for x in c['audit-log'])
    kc = c['key-custodians']
    domains = {k: v for k, v in c.items() if k not in ('audit-log', 'key-custodians')}
    for k in domains: assert not k.startswith('meta')

    def custodian_sk(name, passphrase):
        raw = base64.b64decode(kc[name]['pwdkm'])
        if raw[0] == 1:
            ops, mem = struct.unpack_from('<II', raw, 1); salt, pk = raw[9:17], raw[17:49]
        else:
            ops, mem = 4, 256 * 1024 * 1024; salt, pk = raw[1:9], raw[9:41]
        valet = hashlib.sha512(passphrase.encode() + salt + name.encode()).digest()
        if raw[0] == 2:
            sk = valet[:32]
        else:
            sk = nacl.pwhash.argon2id.kdf(32, valet, hashlib.sha512(salt + name.encode()).digest()[:16], opslimit=ops, memlimit=mem)
        key = nacl.public.PrivateKey(sk)
        assert bytes(key.public_key) == pk
        return key

    out = {}
    for dname, d in domains.items():
        for name, passphrase in creds.items():
            if name in d['meta']['owners']:
                key = custodian_sk(name, passphrase)
                dsk = nacl.public.SealedBox(key).decrypt(dec(d['meta']['owners'][name]))
                box = nacl.public.SealedBox(nacl.public.PrivateKey(dsk))
                out[dname] = {k[len('secret-'):]: box.decrypt(dec(v)).decode('utf8') for k, v in d.items() if k.startswith('secret-')}
                break

    data = collections.OrderedDict(sorted(
        (n, collections.OrderedDict(sorted((k, str(v)) for k, v in d.items() if k.startswith('secret-')) + [('meta', collections.OrderedDict([('public-key', str(d['meta']['public-key'])), ('owners', collections.OrderedDict(sorted((k, str(v)) for k, v in d['meta']['owners'].items())))]))]))
        for n, d in domains.items()))
    data['key-custodians'] = collections.OrderedDict(sorted((n, {'pwdkm': str(v['pwdkm'])}) for n, v in kc.items()))
    data['audit-log'] = log
    s = StringIO(); y.dump(data, s)
    return {'redump_identical': s.getvalue() == text, 'domains': out}

if sys.argv[1:] == ['--many']:
    print(json.dumps([read(path, creds) for path, creds in json.load(sys.stdin)]))
else:
    print(json.dumps(read(sys.argv[1], json.load(sys.stdin))))
