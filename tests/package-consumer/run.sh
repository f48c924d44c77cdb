#!/usr/bin/env bash
# The package-consumer test: Native.Numerics as a user gets it, through its package.
#   1. Pack the library and the `native` tool (warnings are errors) into a local folder feed, as a prerelease
#      version made for this run alone (0.1.0-consumer.TIME.PID), so that no cached package can stand in for it.
#   2. Check what the library's package holds, as restore unpacked it: readme, licence, tags, repository URL,
#      XML docs, the generator under analyzers/dotnet/cs; and that a .snupkg of symbols came beside it.
#   3. Install the tool from the feed into a folder of its own and run it.
#   4. Copy this consumer out of the repository and train its compiled-in model (models/iris.safetensors) with
#      the installed tool; restore it by PackageReference from the feed, build it with warnings as errors, run it
#      (JIT), publish it with NativeAOT (warnings are errors), run the binary, and require the same output from both;
#      run the binary once more where no model file is, and require the compiled model's same lines.
# Usage: tests/package-consumer/run.sh [WORK_DIRECTORY]   (default: a new temporary directory)
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
feed="$work/consumer/feed"
suffix="consumer.$(date -u +%Y%m%d%H%M%S).$$"

echo "-- pack Native.Numerics and native into $feed (version suffix $suffix)"
dotnet pack "$repo/src/Native.Numerics" -c Release -o "$feed" --version-suffix "$suffix" -warnaserror -nologo -v quiet
dotnet pack "$repo/src/Native.Cli" -c Release -o "$feed" --version-suffix "$suffix" -warnaserror -nologo -v quiet
package="$(cd "$feed" && ls Native.Numerics.*.nupkg)"
version="${package#Native.Numerics.}"
version="${version%.nupkg}"
[[ "$version" == *"$suffix" ]] || { echo "unexpected package $package"; exit 1; }
ls -l "$feed"

# The unpacked package is removed at the end: nothing of this run stays in the global packages folder.
packages="$(dotnet nuget locals global-packages --list | sed -e 's/^global-packages: //' -e 's#/$##')"
trap 'rm -rf "$packages/native.numerics/$version"; rmdir "$packages/native.numerics" 2>/dev/null || true' EXIT

echo "-- the consumer, restored from the feed"
cp -r "$repo/tests/package-consumer/." "$work/consumer/"
rm -rf "$work/consumer/bin" "$work/consumer/obj" "$work/consumer/models/iris.safetensors"
cd "$work/consumer"
dotnet restore -p:NativeNumericsVersion="$version" -warnaserror -nologo -v quiet

echo "-- what the package holds ($packages/native.numerics/$version)"
unpacked="$packages/native.numerics/$version"
nuspec="$unpacked/native.numerics.nuspec"
repository_url="$(dotnet msbuild "$repo/src/Native.Numerics" -getProperty:RepositoryUrl)"
for file in README.md LICENSE lib/net10.0/Native.Numerics.dll lib/net10.0/Native.Numerics.xml analyzers/dotnet/cs/Native.Generators.dll; do
  [[ -f "$unpacked/$file" ]] || { echo "the package has no $file"; exit 1; }
done
for element in '<license type="expression">MIT</license>' '<readme>README.md</readme>' '<tags>' \
  "<projectUrl>$repository_url</projectUrl>" "<repository type=\"git\" url=\"$repository_url\""; do
  grep -qF "$element" "$nuspec" || { echo "the package's nuspec lacks $element"; cat "$nuspec"; exit 1; }
done
[[ -f "$feed/Native.Numerics.$version.snupkg" ]] || { echo "no symbol package Native.Numerics.$version.snupkg"; exit 1; }
echo "readme, licence, tags, repository $repository_url, XML docs, the generator, symbols: present"

echo "-- the tool, installed from the feed"
(cd "$work" && dotnet tool install native --version "$version" --add-source "$feed" --tool-path "$work/tool" >/dev/null)
"$work/tool/native" demo > "$work/tool-demo.txt"
grep -q "intercept  -4.0777" "$work/tool-demo.txt"
echo "native $version: installed; its demo runs"

echo "-- the model the consumer compiles in, trained by the tool"
"$work/tool/native" train --data models/iris.csv --model mlp --hidden 16 --activation tanh --optimizer adam --lr 0.01 \
  --batch 16 --epochs 200 --standardize --seed 1 --out models/iris.safetensors --quiet | sed -n '1,4p'

echo "-- build (warnings are errors) and run under the JIT"
dotnet build -c Release --no-restore -p:NativeNumericsVersion="$version" -warnaserror -nologo -v quiet
dotnet bin/Release/net10.0/PackageConsumer.dll | tee "$work/jit.txt"

echo "-- publish with NativeAOT (warnings are errors) and run the binary"
dotnet publish -c Release -r linux-x64 -p:NativeNumericsVersion="$version" -warnaserror -nologo -v quiet -o "$work/aot"
ls -l "$work/aot/PackageConsumer"
"$work/aot/PackageConsumer" > "$work/aot.txt"

echo "-- the NativeAOT binary's output against the JIT run's"
diff "$work/jit.txt" "$work/aot.txt"
echo "package consumer: the same $(wc -l < "$work/jit.txt") lines from the JIT and NativeAOT runs"

echo "-- the compiled model where no model file is"
mkdir -p "$work/empty"
(cd "$work/empty" && "$work/aot/PackageConsumer" --compiled-only) > "$work/compiled.txt"
diff <(grep '^iris: ' "$work/jit.txt") "$work/compiled.txt"
echo "package consumer: the compiled model's $(wc -l < "$work/compiled.txt") lines, with no model file on disk"
