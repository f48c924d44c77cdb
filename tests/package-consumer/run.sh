#!/usr/bin/env bash
# The package-consumer test: Native.Numerics as a user gets it, through its package.
#   1. Pack the library and the `native` tool (warnings are errors) into a local folder feed, as a prerelease
#      version made for this run alone (1.0.0-consumer.TIME.PID), so that no cached package can stand in for it.
#   2. Check what the library's package holds, as restore unpacked it: readme, licence, tags, repository URL,
#      XML docs, the generator under analyzers/dotnet/cs; and that a .snupkg of symbols came beside it.
#   3. Install the tool from the feed into a folder of its own and run it.
#   4. Copy this consumer out of the repository and train its compiled-in model (models/iris.safetensors) with
#      the installed tool; restore it by PackageReference from the feed, build it with warnings as errors, run it
#      (JIT), publish it with NativeAOT (warnings are errors), run the binary, and require the same output from both;
#      run the binary once more where no model file is, and require the compiled model's same lines.
#   5. The package's NATIVE1001 warning (build/Native.Numerics.targets): absent from the build and from the publish
#      above, which names an instruction set; present in a second NativeAOT publish that names none (the project's
#      x86-64-v4 taken away), whose binary, on 128-bit vectors, must still pass its own checks; absent again, by running
#      the warning's target alone, for NoWarn, for an arm64 runtime and without PublishAot.
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
dotnet build -c Release --no-restore -p:NativeNumericsVersion="$version" -warnaserror -nologo -v quiet | tee "$work/build.log"
dotnet bin/Release/net10.0/PackageConsumer.dll | tee "$work/jit.txt"

echo "-- publish with NativeAOT (warnings are errors) and run the binary"
dotnet publish -c Release -r linux-x64 -p:NativeNumericsVersion="$version" -warnaserror -nologo -v quiet -o "$work/aot" | tee "$work/publish.log"
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

echo "-- NATIVE1001: warns a NativeAOT publish that names no instruction set, and only that"
for log in build publish; do
  if grep -q NATIVE1001 "$work/$log.log"; then echo "NATIVE1001 in the $log, which it should not be in:"; cat "$work/$log.log"; exit 1; fi
done
# The project's IlcInstructionSet taken away (an empty global property overrides it): the default instruction set.
dotnet publish -c Release -r linux-x64 -p:NativeNumericsVersion="$version" -p:IlcInstructionSet= -nologo -v quiet -o "$work/aot-default" > "$work/publish-default.log"
grep -F "warning NATIVE1001: This NativeAOT publish (linux-x64) names no IlcInstructionSet" "$work/publish-default.log" ||
  { echo "no NATIVE1001 from a NativeAOT publish without an instruction set:"; cat "$work/publish-default.log"; exit 1; }
[[ "$(grep -c 'warning NATIVE' "$work/publish-default.log")" == 1 ]] || { echo "NATIVE1001 more than once"; exit 1; }
"$work/aot-default/PackageConsumer" > "$work/aot-default.txt"
echo "the binary with the default instruction set passes its checks; $(comm -12 <(sort "$work/jit.txt") <(sort "$work/aot-default.txt") | wc -l) of its $(wc -l < "$work/aot-default.txt") lines equal the JIT run's (sums in 4 lanes without fused multiply-adds round differently)"
# The warning's target alone (no compilation): silent with NoWarn, for arm64, and without PublishAot.
check() {
  dotnet msbuild -t:NativeNumericsCheckInstructionSet -p:NativeNumericsVersion="$version" -p:IlcInstructionSet= -nologo "$@" > "$work/check.log" ||
    { cat "$work/check.log" >&2; echo failed; return; }
  grep -c NATIVE1001 "$work/check.log" || true
}
[[ "$(check -p:RuntimeIdentifier=linux-x64)" =~ ^[1-9] ]] || { echo "the target alone does not warn where the publish did"; exit 1; }
[[ "$(check -p:RuntimeIdentifier=linux-x64 '-p:NoWarn=NATIVE1001')" == 0 ]] || { echo "NoWarn does not silence NATIVE1001"; exit 1; }
[[ "$(check -p:RuntimeIdentifier=linux-arm64)" == 0 ]] || { echo "NATIVE1001 for arm64, which has no wider vectors to name"; exit 1; }
[[ "$(check -p:RuntimeIdentifier=linux-x64 -p:PublishAot=false)" == 0 ]] || { echo "NATIVE1001 without PublishAot"; exit 1; }
echo "NATIVE1001: absent from the build and the x86-64-v4 publish, present once without an instruction set, silenced by NoWarn, absent for arm64 and without PublishAot"
